/** Where exec tasks run, as plain values: the endpoints they need, their egress. */
export { forwardingEgressRules } from "./egressRules";
export {
    endpointServiceName,
    GATEWAY_ENDPOINT_SERVICE,
    INTERFACE_ENDPOINT_SERVICES,
    routeTableOfSubnet,
} from "./endpoints";
