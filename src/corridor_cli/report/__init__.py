"""Reports and charts on top of the analysis layer and the views.

bars: series rows → the bars a chart draws (pure). briefing: the content of a report
(pure). text: charts for the terminal. svg: charts as SVG through pygal. documents:
the report as Markdown, HTML (Jinja2 templates) or rich text for the terminal.
pygal, Jinja2 and rich are imported only inside the functions that use them.
"""
