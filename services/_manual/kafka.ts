// Hand-written by the manual roles: the conventions' server.* attributes of a Kafka client.
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from "@opentelemetry/semantic-conventions";

/** `host:port` of a broker, split as the conventions want it: server.address and server.port. */
export function brokerAddress(broker: string): { [ATTR_SERVER_ADDRESS]: string; [ATTR_SERVER_PORT]?: number } {
  const at = broker.lastIndexOf(":");
  const port = Number(broker.slice(at + 1));
  return at > 0 && Number.isInteger(port) && port > 0
    ? { [ATTR_SERVER_ADDRESS]: broker.slice(0, at), [ATTR_SERVER_PORT]: port }
    : { [ATTR_SERVER_ADDRESS]: broker };
}
