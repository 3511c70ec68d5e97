"""
A Redis cache that can fail in every way without failing a request.

The cache is an optimisation, never a dependency (DESIGN.md §6). Django's RedisCache raises
when Redis is down, and with no socket timeout a Redis that hangs (stopped, not dead) holds a
request for as long as the kernel keeps the connection. This backend:

- gives every connection short connect and read timeouts (OPTIONS socket_connect_timeout and
  socket_timeout, set from DJANGO_CACHE_TIMEOUT_MS in settings);
- answers every cache error as a miss (get: the default, set and add: False, incr: ValueError
  as for a missing key) so the caller renders uncached;
- after an error, stops talking to Redis for CIRCUIT_SECONDS (a circuit breaker): a dead or
  hanging cache costs one timeout per interval and per process, not one per request; then
  one call tries again;
- reconnects once, at once, when a pooled connection was closed (Redis restarted), and
  never retries a timeout;
- logs one warning when an outage starts and one line when the cache is back, not one per
  request.

The breaker is per process and per cache location, shared by the threads of a worker (Django
makes one cache object per thread).
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("public.cache")

# What a broken or hanging cache raises: redis-py's errors (connection, timeout, a server that
# is loading its snapshot or out of memory) and the socket's own.
CACHE_ERRORS = (RedisError, OSError)


class CircuitBreaker:
    def __init__(self, location, seconds):
        self.location = location
        self.seconds = seconds
        self.failures = 0  # errors seen, for the tests and the logs
        self._open_until = 0.0
        self._failing = False
        self._lock = threading.Lock()

    def allows(self):
        """Whether a call may go to Redis now. Past the interval, the first caller tries."""
        if not self._failing:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            # Half open: this caller tries; the others keep skipping until it has answered.
            self._open_until = now + self.seconds
            return True

    def is_open(self):
        return self._failing and time.monotonic() < self._open_until

    def failed(self, error):
        with self._lock:
            self.failures += 1
            self._open_until = time.monotonic() + self.seconds
            starting = not self._failing
            self._failing = True
        if starting:
            logger.warning(
                "The cache at %s is unavailable (%s: %s): pages are rendered uncached, "
                "next try in %s s.",
                self.location,
                type(error).__name__,
                error,
                self.seconds,
            )

    def succeeded(self):
        if self._failing:
            with self._lock:
                was_failing, self._failing = self._failing, False
                self._open_until = 0.0
            if was_failing:
                logger.warning("The cache at %s is available again.", self.location)


_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location, seconds):
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None or breaker.seconds != seconds:
            breaker = _breakers[location] = CircuitBreaker(location, seconds)
        return breaker


_MISSING = object()


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        seconds = float(options.pop("CIRCUIT_SECONDS", 5))
        # A pooled connection that a Redis restart closed fails once: reconnect at once rather
        # than open the breaker. Only connection errors: a timeout is not tried twice.
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.breaker = breaker_for(str(server), seconds)

    def is_available(self):
        """False while the breaker is open: callers need not wait on anything from Redis."""
        return not self.breaker.is_open()

    def _guarded(self, call, default):
        if not self.breaker.allows():
            return default
        try:
            result = call()
        except CACHE_ERRORS as error:
            self.breaker.failed(error)
            return default
        self.breaker.succeeded()
        return result

    def get(self, key, default=None, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def set(self, key, value, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        return self._guarded(
            lambda: super(ResilientRedisCache, self).set(key, value, version=version, **kwargs),
            False,
        )

    def add(self, key, value, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        return self._guarded(
            lambda: super(ResilientRedisCache, self).add(key, value, version=version, **kwargs),
            False,
        )

    def set_many(self, data, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        return self._guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, version=version, **kwargs),
            list(data),
        )

    def touch(self, key, timeout=_MISSING, version=None):
        kwargs = {} if timeout is _MISSING else {"timeout": timeout}
        return self._guarded(
            lambda: super(ResilientRedisCache, self).touch(key, version=version, **kwargs), False
        )

    def delete(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._guarded(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def has_key(self, key, version=None):
        return self._guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        result = self._guarded(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version), _MISSING
        )
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def clear(self):
        return self._guarded(lambda: super(ResilientRedisCache, self).clear(), False)
