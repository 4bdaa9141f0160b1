# The grading framework is a pytest plugin; this folder is a problem set (problemset.toml).
pytest_plugins = ("autograder.plugin",)
