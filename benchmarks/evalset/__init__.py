"""A labelled name-matching eval set built from the real sanctions lists in ../shared/data.

Design (details in README.md next to this file):

* Positives are renderings of listed names, each pointing at one listed entity
  (``expected_source``, ``expected_source_id``): the EU's own Cyrillic aliases, six
  romanisations of them (BGN/PCGN, ICAO 9303, GOST 7.79-B, ISO 9, German, French), UK official
  variations, reordered / shortened / initialled / misspelt / feminine-ending forms, Kyrgyz-
  Kazakh-Uzbek patronymics and Cyrillic, legal forms and quotes of companies, and the UN's
  original-script names. Generators: :mod:`.variants`, :mod:`.org_variants`; romanisation
  tables written here, independently of ``transitwatch.names``: :mod:`.translit`.
* Negatives (label 0) are real-looking names that belong to nobody listed: recombined listed
  names, near misses of listed persons and companies, ordinary company names, Cyrillic
  names. Each is checked against every name of every list file and dropped on a possible
  collision (:mod:`.negatives`).
* ``split`` (dev / heldout) is a hash of the target entity, so one entity never sits in both.
* ``index`` says which names the screener's index may hold for the case: ``full``,
  ``latin_only`` (non-Latin names dropped: cross-script cases must be solved by
  transliteration) or ``primary_only`` (UK variations queried against primary names only).
* :mod:`.scorecard` computes precision / recall / F1 / FPR per variant and overall, a threshold
  sweep, and the same for a pairwise scorer such as nomenklatura's LogicV2
  (:mod:`.nomenklatura_peer`).

Build: ``python -m benchmarks.evalset.build --data ../shared/data --out benchmarks/out/evalset.csv
--seed 7``. The output is derived from the lists and must stay out of git.
"""
