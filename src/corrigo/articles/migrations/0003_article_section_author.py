"""Article section and author, for the desk's metrics."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0002_latest_version'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='author',
            field=models.CharField(blank=True, db_default='', default='', max_length=200),
        ),
        migrations.AddField(
            model_name='article',
            name='section',
            field=models.CharField(blank=True, db_default='', default='', max_length=200),
        ),
    ]
