import { serviceNames } from './service-names';

describe('serviceNames', () => {
  it.each([
    ['inventory', { app: 'inventory-service', className: 'Inventory', protoPackage: 'acme.inventory.v1', contractsAlias: 'inventoryV1', propertyName: 'inventory' }],
    ['inventory-service', { app: 'inventory-service', domain: 'inventory', grpcTypeName: 'acme.inventory.v1.InventoryService' }],
    [
      'stock-level',
      {
        app: 'stock-level-service',
        constantName: 'STOCK_LEVEL',
        snake: 'stock_level',
        protoPath: 'acme/stock_level/v1/stock_level.proto',
        generatedModule: './gen/acme/stock_level/v1/stock_level_pb',
        fileDescriptor: 'file_acme_stock_level_v1_stock_level',
        contractsAlias: 'stockLevelV1',
        grpcService: 'StockLevelService',
      },
    ],
  ])('derives every name of %s', (input, expected) => {
    expect(serviceNames(input)).toMatchObject(expected);
  });

  it.each([
    ['Inventory', /kebab case/],
    ['stock_level', /kebab case/],
    ['2fa', /kebab case/],
    ['user', /user is taken/],
    ['order-service', /order is taken/],
  ])('refuses %s', (input, message) => {
    expect(() => serviceNames(input)).toThrow(message);
  });
});
