"""One search over the portal's public records (issue 18): consultations, topics,
budget and livelihood proposals, livelihood projects, plan items, evaluations,
volunteer teams and shifts, and the public part of resident requests.

It sits above every domain package (it reads them all; none of them imports it):

- ``rules``: pure text handling: Chinese word segmentation (jieba), the words a
  document is indexed under, a query turned into terms, highlighting. No SQL.
- ``models``: the index (``search_docs``: one row per public record, its words and
  what the results show) and the change log (``search_changes``).
- ``sources``: what each kind of record contributes, and when it is public.
- ``changes``: the change log, written by ORM hooks in the transaction that
  changes a record (no area's service has to remember it).
- ``indexing``: reindex the records the change log names (the worker's
  ``search-index`` job) or every record (``gongzhi search reindex``).
- ``querying``: the search itself, on SQLite FTS5 or PostgreSQL full text.
"""
