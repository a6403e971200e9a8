"""Sound: :class:`~narrate.text.script.Script` -> the episode's MP3 pieces, joined.

- :mod:`~narrate.audio.speak`: every chunk's audio, from the cache or an engine, in order;
- :mod:`~narrate.audio.assemble`: trimming, pauses, intro and outro, the music bed, chapter and
  sentence times counted in samples; encoding a stretch of the PCM file;
- :mod:`~narrate.audio.loudness`: EBU R128 readings and the gains to the target;
- :mod:`~narrate.audio.produce`: speak -> PCM file -> loudness -> pieces on every core;
- :mod:`~narrate.audio.mp3join`: joining MP3 pieces frame by frame under one Info header.
"""
