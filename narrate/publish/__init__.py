"""Publishing: the episode store (the single source of truth), the feed, the page, the server.

Every build, ``remove`` and ``feed`` regenerates ``feed.xml`` and ``index.html`` from the store
under the output folder's exclusive lock.
"""
