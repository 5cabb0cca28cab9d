"""The one way into the pipeline, for the HTTP routes and the command line alike."""
