"""The Ray executor: pipeline actors on a Ray cluster (`[jobs] executor = "ray"`).

    executor.py  the server's side: the Executor protocol over a pipe to the driver
    driver.py    a child process of the server that owns `ray.init` (Ray ends its driver's
                 process when the cluster goes away; the server must outlive it)
    messages.py  what crosses that pipe
    pool.py      the actors and their slots, run inside the driver
    slots.py     one actor at a time, replaced when lost
    actor.py     the pipeline loaded once per actor, streaming its reports

Importing this package does not import Ray; `executor.py` does (executors.check).
"""
