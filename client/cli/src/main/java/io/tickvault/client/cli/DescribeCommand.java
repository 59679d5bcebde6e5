package io.tickvault.client.cli;

import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Message;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tickvault describe [NAME]}: the services, methods and messages compiled into this tool,
 * with the comments of the .proto files, without asking any server.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Without NAME, lists every service and its methods. With a service, its methods and "
        + "what they do; with SERVICE/METHOD, the method and its request's fields; with a message or "
        + "enum name, its fields or values. Read from the contracts compiled into this tool: no "
        + "server is asked.")
final class DescribeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  OutputOptions output;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
      description = "A service (tickvault.v1.IngestService or IngestService), SERVICE/METHOD, a message or an enum.")
  String name;

  @Override
  public Integer call() {
    ApiDescriptors api = ApiDescriptors.load();
    PrintWriter out = spec.commandLine().getOut();
    List<GenericDescriptor> shown = new ArrayList<>();
    if (name == null) {
      shown.addAll(api.services().values());
    } else if (api.message(name) != null) {
      shown.add(api.message(name));
    } else if (api.enumType(name) != null) {
      shown.add(api.enumType(name));
    } else if (name.contains("/") || (!api.services().containsKey(name) && name.lastIndexOf('.') > 0
        && api.services().keySet().stream().anyMatch(s -> name.startsWith(s + ".")))) {
      MethodDescriptor method = api.method(name);
      shown.add(method);
      shown.add(method.getInputType());
    } else {
      shown.add(api.service(name));
    }
    for (GenericDescriptor descriptor : shown) {
      if (output.json()) {
        out.println(Json.of(proto(descriptor)));
      } else {
        print(out, descriptor, name != null);
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  private static Message proto(GenericDescriptor d) {
    if (d instanceof ServiceDescriptor s) {
      return s.toProto();
    } else if (d instanceof MethodDescriptor m) {
      return m.toProto();
    } else if (d instanceof Descriptor m) {
      return m.toProto();
    }
    return ((EnumDescriptor) d).toProto();
  }

  private static void print(PrintWriter out, GenericDescriptor d, boolean detailed) {
    if (d instanceof ServiceDescriptor service) {
      out.println("service " + service.getFullName());
      comment(out, "  ", service, detailed);
      for (MethodDescriptor method : service.getMethods()) {
        out.println("  " + signature(method));
        comment(out, "      ", method, detailed);
      }
    } else if (d instanceof MethodDescriptor method) {
      out.println(signature(method));
      comment(out, "  ", method, true);
    } else if (d instanceof Descriptor message) {
      out.println("message " + message.getFullName());
      comment(out, "  ", message, true);
      for (FieldDescriptor field : message.getFields()) {
        out.println("  " + type(field) + " " + field.getName() + " = " + field.getNumber() + ";");
        comment(out, "      ", field, true);
      }
    } else if (d instanceof EnumDescriptor type) {
      out.println("enum " + type.getFullName());
      comment(out, "  ", type, true);
      for (EnumValueDescriptor value : type.getValues()) {
        out.println("  " + value.getName() + " = " + value.getNumber() + ";");
        comment(out, "      ", value, true);
      }
    }
    out.println();
  }

  static String signature(MethodDescriptor method) {
    return "rpc " + method.getName() + "(" + (method.isClientStreaming() ? "stream " : "")
        + method.getInputType().getFullName() + ") returns (" + (method.isServerStreaming() ? "stream " : "")
        + method.getOutputType().getFullName() + ")";
  }

  private static String type(FieldDescriptor field) {
    String type = switch (field.getJavaType()) {
      case MESSAGE -> field.getMessageType().getFullName();
      case ENUM -> field.getEnumType().getFullName();
      default -> field.getType().name().toLowerCase(Locale.ROOT);
    };
    if (field.isMapField()) {
      return "map<" + type(field.getMessageType().findFieldByNumber(1)) + ", "
          + type(field.getMessageType().findFieldByNumber(2)) + ">";
    }
    return field.isRepeated() ? "repeated " + type : type;
  }

  /** The leading comment of the element in its .proto: all of it, or its first line when brief. */
  private static void comment(PrintWriter out, String indent, GenericDescriptor d, boolean whole) {
    List<Integer> path = path(d);
    if (path == null) {
      return;
    }
    for (Location location : d.getFile().toProto().getSourceCodeInfo().getLocationList()) {
      if (location.getPathList().equals(path) && !location.getLeadingComments().isBlank()) {
        List<String> lines = location.getLeadingComments().strip().lines().map(String::strip).toList();
        for (String line : whole ? lines : lines.subList(0, 1)) {
          out.println(indent + "// " + line);
        }
        return;
      }
    }
  }

  /** Where the element sits in its FileDescriptorProto, as SourceCodeInfo paths count. */
  private static List<Integer> path(GenericDescriptor d) {
    List<Integer> path = new ArrayList<>();
    if (d instanceof ServiceDescriptor s) {
      path.addAll(List.of(6, s.getIndex()));
    } else if (d instanceof MethodDescriptor m) {
      path.addAll(List.of(6, m.getService().getIndex(), 2, m.getIndex()));
    } else if (d instanceof Descriptor m) {
      if (m.getContainingType() == null) {
        path.addAll(List.of(4, m.getIndex()));
      } else {
        path.addAll(path(m.getContainingType()));
        path.addAll(List.of(3, m.getIndex()));
      }
    } else if (d instanceof FieldDescriptor f) {
      if (f.isExtension()) {
        return null;
      }
      path.addAll(path(f.getContainingType()));
      path.addAll(List.of(2, f.getIndex()));
    } else if (d instanceof EnumDescriptor e) {
      if (e.getContainingType() == null) {
        path.addAll(List.of(5, e.getIndex()));
      } else {
        path.addAll(path(e.getContainingType()));
        path.addAll(List.of(4, e.getIndex()));
      }
    } else if (d instanceof EnumValueDescriptor v) {
      path.addAll(path(v.getType()));
      path.addAll(List.of(2, v.getIndex()));
    } else {
      return null;
    }
    return path;
  }
}
