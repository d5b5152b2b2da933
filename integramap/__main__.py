from integramap.cli import run

run()
