package io.tickvault.server.auth;

/** What a bearer token may do: a worker reads keys and writes market data; an admin does everything. */
public enum Role {
  WORKER,
  ADMIN
}
