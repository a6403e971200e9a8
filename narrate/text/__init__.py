"""Preparing the words: :class:`~narrate.models.Article` -> :class:`~narrate.text.script.Script`.

- :mod:`~narrate.text.normalise`: odd spaces, invisible and bidi marks, punctuation, symbols,
  web addresses; sentences, clauses and chunks;
- :mod:`~narrate.text.lexicon`: the pronunciation lexicon (built-in acronyms and a producer's file);
- :mod:`~narrate.text.numbers`: numbers, dates, times, units and money as Arabic words, in the case
  and gender the sentence gives them;
- :mod:`~narrate.text.latin`: Latin words and letters left over, in Arabic letters;
- :mod:`~narrate.text.diacritize`: offline diacritization for the espeak-ng voice;
- :mod:`~narrate.text.script`: the episode's words in speaking order, each piece prepared by those
  ``str -> str`` steps and cut into the chunks one engine takes.
"""
