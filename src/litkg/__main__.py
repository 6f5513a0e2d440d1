from litkg.cli import main

main()
