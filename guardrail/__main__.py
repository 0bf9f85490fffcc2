from guardrail.cli import main

main()
