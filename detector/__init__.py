"""mynumber: find exposed My Numbers (個人番号), count the distinct people exposed, assess the incident.

The library is usable without the command line: :func:`detector.pipeline.scan_paths` returns a
:class:`detector.result.ScanResult`; :mod:`detector.report` renders it.
"""

__version__ = "0.1.0"
