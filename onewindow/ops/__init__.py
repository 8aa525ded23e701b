"""Operations: the production topology on one machine (``onewindow cluster``) and the ``/metrics`` endpoint."""
