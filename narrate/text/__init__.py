"""Preparing the words: :class:`~narrate.models.Article` -> :class:`~narrate.text.script.Script`.

- :mod:`~narrate.text.normalise`: odd spaces, invisible and bidi marks, punctuation, symbols,
  web addresses; sentences, clauses and chunks;
- :mod:`~narrate.text.lexicon`: the pronunciation lexicon (built-in acronyms and a producer's file);
- :mod:`~narrate.text.numbers`: numbers, dates, times, percentages and money as Arabic words;
- :mod:`~narrate.text.diacritize`: offline diacritization for the espeak-ng voice;
- :mod:`~narrate.text.script`: the episode's words in speaking order, each piece prepared by those
  ``str -> str`` steps and cut into the chunks one engine takes.
"""
