package io.tickvault.client.cli;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.util.JsonFormat;
import io.grpc.health.v1.HealthProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The services, methods and messages compiled into this tool: the tickvault.v1 contracts as the
 * proto module writes them (comments included) to {@value #RESOURCE}, plus grpc.health.v1. Every
 * service found there is callable; nothing here names a tickvault service.
 */
final class ApiDescriptors {
  static final String RESOURCE = "/tickvault/v1/tickvault.binpb";

  private final Map<String, ServiceDescriptor> services = new TreeMap<>();
  private final Map<String, Descriptor> messages = new TreeMap<>();
  private final Map<String, EnumDescriptor> enums = new TreeMap<>();
  private final JsonFormat.TypeRegistry typeRegistry;

  private ApiDescriptors(List<FileDescriptor> files) {
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    for (FileDescriptor file : files) {
      file.getServices().forEach(s -> services.put(s.getFullName(), s));
      file.getMessageTypes().forEach(this::addMessage);
      file.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
      registry.add(file.getMessageTypes());
    }
    this.typeRegistry = registry.build();
  }

  private void addMessage(Descriptor message) {
    messages.put(message.getFullName(), message);
    message.getNestedTypes().forEach(this::addMessage);
    message.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
  }

  static ApiDescriptors load() {
    try (InputStream in = ApiDescriptors.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the descriptors " + RESOURCE + " are missing from this build");
      }
      FileDescriptorSet set = FileDescriptorSet.parseFrom(in);
      Map<String, FileDescriptor> built = new HashMap<>();
      // The set lists every file after its imports.
      for (FileDescriptorProto proto : set.getFileList()) {
        List<FileDescriptor> dependencies = new ArrayList<>();
        for (String name : proto.getDependencyList()) {
          dependencies.add(built.get(name));
        }
        built.put(proto.getName(), FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new)));
      }
      List<FileDescriptor> files = new ArrayList<>(built.values());
      files.add(HealthProto.getDescriptor());
      return new ApiDescriptors(files);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the descriptors " + RESOURCE, e);
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException("the descriptors " + RESOURCE + " do not hold together: " + e.getMessage(), e);
    }
  }

  /** By full name, sorted. */
  Map<String, ServiceDescriptor> services() {
    return services;
  }

  JsonFormat.TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  /**
   * A service by full name (tickvault.v1.MarketService) or by its name alone when that is unique
   * (MarketService).
   */
  ServiceDescriptor service(String name) {
    ServiceDescriptor service = byName(services, name);
    if (service != null) {
      return service;
    }
    throw new IllegalArgumentException("no service '" + name + "'; the services are " + String.join(", ", services.keySet())
        + " (tickvault describe lists their methods)");
  }

  /** {@code SERVICE/METHOD} or {@code SERVICE.METHOD}, the service named as {@link #service} takes it. */
  MethodDescriptor method(String name) {
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('.'));
    if (slash <= 0 || slash == name.length() - 1) {
      throw new IllegalArgumentException("'" + name + "': expected SERVICE/METHOD, e.g. tickvault.v1.MarketService/ListCurrencyPairs");
    }
    ServiceDescriptor service = service(name.substring(0, slash));
    MethodDescriptor method = service.findMethodByName(name.substring(slash + 1));
    if (method == null) {
      throw new IllegalArgumentException("no method '" + name.substring(slash + 1) + "' in " + service.getFullName()
          + "; its methods are " + String.join(", ", service.getMethods().stream().map(MethodDescriptor::getName).toList()));
    }
    return method;
  }

  /** A message by full name, or by its name alone when unique; null when there is none. */
  Descriptor message(String name) {
    return byName(messages, name);
  }

  /** An enum by full name, or by its name alone when unique; null when there is none. */
  EnumDescriptor enumType(String name) {
    return byName(enums, name);
  }

  /** The descriptor of that full name, else the only one of that name alone; null when none or several. */
  private static <D extends GenericDescriptor> D byName(Map<String, D> byFullName, String name) {
    D exact = byFullName.get(name);
    if (exact != null) {
      return exact;
    }
    List<D> matches = byFullName.values().stream().filter(d -> d.getName().equals(name)).toList();
    return matches.size() == 1 ? matches.get(0) : null;
  }
}
