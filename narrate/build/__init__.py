"""The build: the stage order (:mod:`~narrate.build.pipeline`), the rebuild record that lets an
unchanged episode skip synthesis and encoding, and staging files before they are renamed into place.
"""
