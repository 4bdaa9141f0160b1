# The grading framework is a pytest plugin; see autograder/plugin.py and README.md.
pytest_plugins = ("autograder.plugin",)
