#!/bin/sh
# As the official image: options alone run redis-server with them, and protected mode is off
# because the container's network, not Redis, decides who can connect.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  shift
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
