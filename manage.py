#!/usr/bin/env python
from onewindow.cli import main

if __name__ == "__main__":
    main()
