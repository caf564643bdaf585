# The warm launcher (docs/WARM.md): runs launcher_body.py in this `__main__`, from the code that setup.sh compiled
# at image build for this Python when there is one: compiling the body here took 2 to 3 ms of every launcher's
# start. Nothing is imported that a cold start has not imported; these names leave the namespace with the body's.
import sys


def _body_code():
    import marshal
    folder = __file__.rpartition("/")[0]
    try:
        with open(f"{folder}/launcher_body.{sys.implementation.cache_tag}.code", "rb") as compiled:
            return marshal.loads(compiled.read())
    except OSError:  # process isolation, which runs no setup.sh: compiled here
        with open(f"{folder}/launcher_body.py", "rb") as source:
            return compile(source.read(), source.name, "exec", dont_inherit=True)


exec(_body_code(), globals())
