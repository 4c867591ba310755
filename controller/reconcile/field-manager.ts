// The one field manager every write of the controller uses (server-side apply and updates), so
// `managedFields` tells at a glance what the controller owns.
export const FIELD_MANAGER_NAME = 'functionmesh-controller';
