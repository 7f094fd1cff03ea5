/** PromQL the checks add to src/queries.ts' (all of it is in src/stack/shipped-queries.test.ts' list). */
import { JOB_PREFIX } from "../queries.ts";

/** How many /api/process requests the gateway has answered: a fresh request must move it. */
export const gatewayProcessed = `sum(http_server_request_duration_seconds_count{job="${JOB_PREFIX}api-gateway",http_route="/api/process"})`;
