"""Reading: a path, standard input or bytes -> :class:`~narrate.models.Article`.

- :mod:`~narrate.read.decoding`: bytes -> text (byte-order marks, UTF-8, Windows-1256, the
  charset an HTML page declares);
- :mod:`~narrate.read.cleaning`: line normalisation and web-page junk shared by every format;
- :mod:`~narrate.read.metadata`: author and publication-date lines, Arabic month names;
- :mod:`~narrate.read.plain`: plain text, headings found from the text's shape;
- :mod:`~narrate.read.blocks`: an article from explicit headings and paragraphs;
- :mod:`~narrate.read.markdown` and :mod:`~narrate.read.html`: those two markups, read into
  blocks.

:mod:`narrate.read.article` is the entry point: it reads a file or standard input, picks the format
and calls the right reader.
"""
