from shopwarden.cli import main

main()
