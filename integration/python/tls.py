"""redis-py over TLS with a client certificate: argv host port ca cert key."""
import sys

import redis

host, port, ca, cert, key = sys.argv[1:6]
r = redis.Redis(host=host, port=int(port), ssl=True, ssl_ca_certs=ca,
                ssl_certfile=cert, ssl_keyfile=key, ssl_check_hostname=False)
assert r.ping() is True
r.set("py:tls", "yes", ex=100)
assert r.get("py:tls") == b"yes"
p = r.pipeline(transaction=True)
p.incr("py:n").incr("py:n")
assert p.execute() == [1, 2]
print("ok")
