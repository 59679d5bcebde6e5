package io.tickvault.client.cli;

import com.google.gson.JsonObject;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.tickvault.client.TickvaultClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tickvault health}: the container health check, and a quick "is it up?" for people. */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = "Asks grpc.health.v1.Health/Check; prints the status and exits 0 only when SERVING "
        + "(3 otherwise). The server is SERVING while it can reach PostgreSQL.")
final class HealthCommand extends ServerCommand {
  @Option(names = "--service", paramLabel = "NAME", defaultValue = "",
      description = "A service's full name (tickvault.v1.IngestService); default: the whole server.")
  String service;

  @Override
  public Integer call() {
    ServingStatus status;
    try (TickvaultClient client = connection.connect()) {
      status = client.health(service);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        throw e;
      }
      // The health service answers NOT_FOUND for a service it does not know: for a health check
      // that is "not serving", as grpc-health-probe reports it.
      status = ServingStatus.SERVICE_UNKNOWN;
    }
    if (output.json()) {
      JsonObject json = new JsonObject();
      json.addProperty("status", status.name());
      out().println(Json.of(json));
    } else {
      out().println(status);
    }
    return status == ServingStatus.SERVING ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
  }
}
