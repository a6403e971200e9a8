"""What goes with the audio: ID3 tags and chapters, the cover, chapters JSON and transcripts.

- :mod:`~narrate.episode.tags`: ID3v2.3 tags, CHAP/CTOC chapters, cover and text (mutagen);
- :mod:`~narrate.episode.artwork`: the show's cover, checked, converted or drawn;
- :mod:`~narrate.episode.chapterfile`: Podcasting 2.0 chapters JSON;
- :mod:`~narrate.episode.transcript`: sentence cues as WebVTT, SubRip and Podcasting 2.0 JSON.
"""
