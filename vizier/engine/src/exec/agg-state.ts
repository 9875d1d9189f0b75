import { DataType } from '@nixie/core';
import type { AggSpec, PlanColumn } from '@nixie/pxl';

/** The state columns a partial aggregate sends to the vizier; all plain RowBatch columns. */
export function partialStateColumns(a: AggSpec, argType: DataType | undefined): PlanColumn[] {
  switch (a.fn) {
    case 'mean':
      return [
        { name: a.name, type: DataType.FLOAT64 },
        { name: `${a.name}__n`, type: DataType.INT64 },
      ];
    case 'count':
      return [{ name: a.name, type: DataType.INT64 }];
    case 'quantiles':
      // A serialized t-digest: centroids as "mean:weight,..." text.
      return [{ name: a.name, type: DataType.STRING }];
    case 'sum':
      return [{ name: a.name, type: a.type }];
    default:
      return [{ name: a.name, type: argType ?? a.type }];
  }
}
