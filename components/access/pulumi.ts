/** Developer access's Pulumi components. */
export { DoctorAccess } from "./doctorAccess";
export type { DoctorAccessArgs } from "./doctorAccess";
export { ExecAccess } from "./execAccess";
export type { ExecAccessArgs } from "./execAccess";
