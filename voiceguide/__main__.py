"""`python -m voiceguide` runs the CLI."""

from voiceguide.cli import main

if __name__ == "__main__":
    main()
