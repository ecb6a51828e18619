/* global rs, print -- mongosh's globals: this script runs in mongosh, not in Node. */
// Run once by the mongo-init service: makes the three mongod processes one replica set, so a
// write acknowledged with w: majority survives the loss of any one of them.
try {
  rs.status();
  print('replica set rs0 already initiated');
} catch {
  rs.initiate({
    _id: 'rs0',
    members: [
      { _id: 0, host: 'mongo-1:27017' },
      { _id: 1, host: 'mongo-2:27017' },
      { _id: 2, host: 'mongo-3:27017' },
    ],
  });
  print('replica set rs0 initiated');
}
