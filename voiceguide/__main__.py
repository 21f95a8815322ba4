"""`python -m voiceguide` runs the CLI."""

from voiceguide.cli.launch import main

if __name__ == "__main__":
    main()
