"""The article formats narrate reads, one module per concern.

- :mod:`~narrate.formats.decoding`: bytes -> text (byte-order marks, UTF-8, Windows-1256, the
  charset an HTML page declares);
- :mod:`~narrate.formats.cleaning`: line normalisation and web-page junk shared by every format;
- :mod:`~narrate.formats.metadata`: author and publication-date lines, Arabic month names;
- :mod:`~narrate.formats.text`: plain text, headings found from the text's shape;
- :mod:`~narrate.formats.blocks`: an article from explicit headings and paragraphs;
- :mod:`~narrate.formats.markdown` and :mod:`~narrate.formats.html`: those two markups, read into
  blocks.

:mod:`narrate.article` is the entry point: it reads a file or standard input, picks the format
and calls the right reader.
"""
