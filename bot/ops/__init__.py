"""The command line and operations: cli, doctor, demo, export, logs."""
