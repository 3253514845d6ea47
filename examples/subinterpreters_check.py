import sys

try:
    from concurrent import interpreters  # in the standard library from 3.14
except ImportError:
    interpreters = None

print(f"Python {sys.version.split()[0]}")
if interpreters is None:
    print("concurrent.interpreters: not in this Python (added in 3.14)")
else:
    queue, interp = interpreters.create_queue(), interpreters.create()
    interp.prepare_main(results=queue)  # hand the queue to the new interpreter
    interp.exec("results.put(2 ** 10)")  # runs there, in this thread
    print(f"2 ** 10, computed in a subinterpreter: {queue.get(timeout=10)}")
    interp.close()
