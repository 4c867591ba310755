// The scaler's gRPC services, loaded from the project's own .proto files, and the message shapes
// as grpc-js hands them over (keepCase: field names as written in the .proto).
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}
export interface IsActiveResponse {
  result: boolean;
}
export interface MetricSpec {
  metricName: string;
  targetSize: number;
  targetSizeFloat: number;
}
export interface GetMetricSpecResponse {
  metricSpecs: MetricSpec[];
}
export interface GetMetricsRequest {
  scaledObjectRef: ScaledObjectRef | null;
  metricName: string;
}
export interface MetricValue {
  metricName: string;
  metricValue: number;
  metricValueFloat: number;
}
export interface GetMetricsResponse {
  metricValues: MetricValue[];
}
export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

function load(file: string): grpc.GrpcObject {
  const path = fileURLToPath(new URL(`./proto/${file}`, import.meta.url));
  return grpc.loadPackageDefinition(protoLoader.loadSync(path, LOADER_OPTIONS));
}

type ServiceCtor = grpc.ServiceClientConstructor;

const scalerPkg = load('externalscaler.proto').externalscaler as grpc.GrpcObject;
const healthPkg = ((load('health.proto').grpc as grpc.GrpcObject).health as grpc.GrpcObject).v1 as grpc.GrpcObject;

/** Client constructor of `externalscaler.ExternalScaler` (for KEDA-like clients and tests). */
export const ExternalScalerClient = scalerPkg.ExternalScaler as ServiceCtor;
export const externalScalerService = ExternalScalerClient.service;
export const EXTERNAL_SCALER_SERVICE_NAME = 'externalscaler.ExternalScaler';

export const HealthClient = healthPkg.Health as ServiceCtor;
export const healthService = HealthClient.service;
