"""Teaching: the dashboard (Solara, in the browser, over the Mesa model) and classroom mode.

Layer: above reports and figures. It may import :mod:`nzsim.reports`, :mod:`nzsim.figures`,
:mod:`nzsim.analysis`, :mod:`nzsim.runs`, :mod:`nzsim.model`, :mod:`nzsim.scenario` and
:mod:`nzsim.catalogue`; not the command line. It holds no model logic: the controls become a
validated scenario, the model is the library's, and replications run on the runner's workers.

- :mod:`~nzsim.teaching.controls`: the controls, the scenario library, the scenario the controls describe;
- :mod:`~nzsim.teaching.dashboard`: the page (``nzsim.teaching.dashboard:page``);
- :mod:`~nzsim.teaching.classroom`: a class's bundles run and weighed;
- :mod:`~nzsim.teaching.browser_files`: the page's browser files, put in place by the setup.

Importing this package loads nothing heavy; import the submodule you need (the dashboard loads Solara).
"""

#: Replications per bundle in classroom mode unless the teacher says otherwise.
CLASSROOM_REPS = 200
