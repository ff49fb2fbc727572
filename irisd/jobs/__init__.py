"""Jobs: the queue, the engine, the worker pool and live progress of processing jobs."""
