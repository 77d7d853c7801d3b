from corridor_cli.cli import main

main()
