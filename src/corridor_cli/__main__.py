from corridor_cli import main

main()
