export type {
  AggregationAlgorithm,
  ReconcileSpec,
  RevisionScalingSpec,
  ScaleDecision,
  ScaleInput,
  Scaler,
  ScalerSpec,
  WindowSpec,
} from './types.js';
