"""The site: MkDocs hooks, what pages print, charts, the errata page, results.json."""
