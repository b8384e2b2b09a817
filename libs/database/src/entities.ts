import { ServiceItem } from '@xinyuan/catalog';
import { Offer } from '@xinyuan/dispatch';
import { User } from '@xinyuan/identity';
import { IdempotencyKey, Order, OrderEvent, ServiceRecord } from '@xinyuan/orders';
import { Region, Team, TeamMember } from '@xinyuan/org';
import { Rating, TeamReputation } from '@xinyuan/rating';

export const ENTITIES = [
  Region, Team, TeamMember, ServiceItem, User, Order, OrderEvent, ServiceRecord, IdempotencyKey, Offer, Rating, TeamReputation,
];
