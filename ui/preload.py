"""Import, once and in one thread, the libraries the engine imports lazily (scikit-learn).

The engine imports scikit-learn inside the functions that need it (datasets, the confusion
matrix, PCA), so a plain `import engine` stays light. In the server, though, each session runs
the page script in its own thread, and scikit-learn's package imports each other in a circle:
two sessions importing two of its modules at the same moment can get a half-initialised
module. Seen after a server restart, when every open tab reconnects at once: 4 of 7 sessions
failed with "ImportError: cannot import name 'clone' from partially initialized module
'sklearn.base'" (tests/test_browser_checkpoint.py). Every way to scikit-learn in the app starts
with a dataset (a Lab loads its data first), so ui.state.load_data imports this module first:
sessions arriving together wait for this one import (a module's import holds its lock) instead
of racing inside scikit-learn. Not in app.py: the Start here page does not pay the ~0.8 s.
"""
import sklearn.datasets  # noqa: F401  (engine.datasets)
import sklearn.decomposition  # noqa: F401  (engine.hidden)
import sklearn.metrics  # noqa: F401  (engine.views)
import sklearn.model_selection  # noqa: F401  (engine.datasets)
