"""``python -m charon``: the same entry point as the ``charon`` console script."""

from charon.cli.main import run

if __name__ == "__main__":
    run()
