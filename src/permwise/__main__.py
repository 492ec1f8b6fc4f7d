from permwise.cli.main import main

main()
