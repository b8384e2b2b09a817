import { DomainException, ErrorCode } from '@xinyuan/common';
import type { OrderAction } from './order-state-machine';
import type { OrderStatus } from './order-status';

export const OrderErrors = {
  notFound: () => DomainException.notFound(ErrorCode.OrderNotFound),
  invalidTransition: (status: OrderStatus, action: OrderAction) =>
    DomainException.conflict(ErrorCode.InvalidTransition, `订单当前状态（${status}）不允许此操作（${action}）`, {
      status,
      action,
    }),
  concurrentUpdate: () => DomainException.conflict(ErrorCode.ConcurrentUpdate),
};
