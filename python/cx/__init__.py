"""CX analytics warehouse: the Python side of the dbt project.

Pure functions the Python models call, the data generator and the command line.
"""

__version__ = "0.1.0"
